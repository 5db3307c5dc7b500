// A plugin whose module ends the process that loads it.
process.exit(3);
