#!/usr/bin/env node
// Installed entry point: runs the built CLI (plain JavaScript, no build step or tsx at run
// time). In this repository use `pnpm leasehold …`, which runs the TypeScript source.
import '../dist/main.js';
