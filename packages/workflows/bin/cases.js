#!/usr/bin/env node
// A stable entry for the `cases` command: the compiled CLI lives in dist/ (built by `pnpm build`).
import '../dist/cli.js';
