// A plugin whose module never finishes loading: its top-level code spins forever.
for (;;) {
  // busy
}
