#!/usr/bin/env node
// Runs the TypeScript sources directly (no build step): `npm install && npm start` is all it takes.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
