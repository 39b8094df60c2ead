#!/usr/bin/env node
// The `fido-harness` command: loads the TypeScript CLI through tsx's ESM loader (Node 20 has no type stripping).
import { register } from 'tsx/esm/api';

register();
await import('../harness/commands/cli.ts');
