// Runs the whole mocha suite, streaming its output, and ends with one plain summary line
// ("N passed, N failed") that CI reads.
import { spawn } from 'node:child_process';

const child = spawn('npx', ['mocha', ...process.argv.slice(2)], { stdio: ['ignore', 'pipe', 'inherit'] });
let tail = '';
child.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  tail = (tail + chunk.toString()).slice(-20_000);
});
child.on('close', (code) => {
  const count = (word) => Number(new RegExp(`(\\d+) ${word}`).exec(tail)?.[1] ?? 0);
  const skipped = count('pending');
  console.log(
    `${count('passing')} passed, ${count('failing')} failed${skipped ? `, ${skipped} skipped` : ''}`,
  );
  process.exit(code ?? 1);
});
