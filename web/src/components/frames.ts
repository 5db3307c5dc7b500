import type { Frame } from '../api/issues';

export type FrameGroup = { inApp: true; frame: Frame } | { inApp: false; frames: Frame[] };

/** Most recent call first; consecutive system frames grouped so they fold together. */
export function groupFrames(frames: Frame[]): FrameGroup[] {
  const groups: FrameGroup[] = [];
  for (const frame of [...frames].reverse()) {
    const last = groups.at(-1);
    if (frame.inApp) groups.push({ inApp: true, frame });
    else if (last && !last.inApp) last.frames.push(frame);
    else groups.push({ inApp: false, frames: [frame] });
  }
  return groups;
}
