#!/usr/bin/env node
'use strict';
// The `faultline` command. This file is committed, rather than pointing package.json's "bin" at
// dist/cli/main.js, because npm links a workspace's bin only when the file exists at install time:
// on a fresh clone dist/ is built after `npm install`, so the link would appear only at a second
// install.
const path = require('node:path');
const fs = require('node:fs');

const main = path.join(__dirname, '..', 'dist', 'cli', 'main.js');
if (!fs.existsSync(main)) {
  console.error('faultline is not built yet: run `npm run build` at the repository root first.');
  process.exit(1);
}
require(main);
