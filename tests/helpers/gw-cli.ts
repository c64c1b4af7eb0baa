import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

// Runs the command line as a user would (`npm run gw -- ...`), without npm's own output.

const root = path.resolve(import.meta.dirname, '..', '..');
const exec = promisify(execFile);

export async function gw(args: string[], env: Record<string, string>, input?: string) {
  const child = exec(process.execPath, [path.join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'scripts/gw.ts', ...args], {
    cwd: root,
    env: { ...process.env, ...env },
  });
  if (input !== undefined) {
    child.child.stdin?.end(input);
  } else {
    child.child.stdin?.end();
  }
  try {
    const { stdout, stderr } = await child;
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}
