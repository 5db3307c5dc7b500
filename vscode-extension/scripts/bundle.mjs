// Bundles the extension and its language server to CommonJS for VS Code's Node extension host;
// `vscode` is provided by the host. vsce can't package workspace-hoisted dependencies, so the
// bundles carry them and the package is made with --no-dependencies.
import { build } from 'esbuild';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: true,
  minify: true,
};
await build({
  ...common,
  entryPoints: [path.join(root, 'src/client/extension.ts')],
  outfile: path.join(root, 'dist/extension.js'),
  external: ['vscode'],
});
await build({
  ...common,
  entryPoints: [path.join(root, 'src/server/main.ts')],
  outfile: path.join(root, 'dist/server.js'),
});
process.stdout.write('bundled dist/extension.js and dist/server.js\n');
