#!/usr/bin/env node
// Installed entry point: runs the built CLI. In this repository use `pnpm leasehold …`.
import('../dist/main.js');
