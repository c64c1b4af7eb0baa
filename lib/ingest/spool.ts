import { createReadStream, type ReadStream } from 'node:fs';
import { mkdtemp, open, readdir, rm, stat, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

// Temporary files that hold COPY text the pipeline may have to send a second time, so
// memory stays flat however large the upload. Each lives in a directory of its own
// that `dispose` removes, on every path out of the pipeline; directories left by a
// process that was killed are removed by the next one that spools.

const PREFIX = 'gatewatch-ingest-';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function olderThanADay(file: string): Promise<boolean> {
  const info = await stat(file).catch(() => null);
  return info !== null && info.mtimeMs < Date.now() - 86_400_000;
}

/** Removes spool directories whose process is gone (named with its pid), or a day old without one. */
async function sweepOrphans(): Promise<void> {
  const dir = tmpdir();
  for (const name of await readdir(dir).catch(() => [])) {
    if (!name.startsWith(PREFIX)) continue;
    const pid = Number(name.slice(PREFIX.length).split('-')[0]);
    const orphan = Number.isInteger(pid) && pid > 0 ? !alive(pid) : await olderThanADay(path.join(dir, name));
    if (orphan) await rm(path.join(dir, name), { recursive: true, force: true }).catch(() => undefined);
  }
}

export class Spool {
  private handle: FileHandle | null = null;
  private dir: string | null = null;
  private file = '';
  private size = 0;

  constructor(private readonly name: string) {}

  async append(data: Buffer): Promise<void> {
    if (data.length === 0) return;
    if (!this.handle) {
      await sweepOrphans();
      this.dir = await mkdtemp(path.join(tmpdir(), `${PREFIX}${process.pid}-`));
      this.file = path.join(this.dir, this.name);
      this.handle = await open(this.file, 'w+');
    }
    await this.handle.write(data, 0, data.length, this.size);
    this.size += data.length;
  }

  /** Starts over (the file is reused, so it never grows beyond one segment). */
  reset(): void {
    this.size = 0;
  }

  /** Everything appended since the last reset. */
  read(): ReadStream | null {
    if (!this.handle || this.size === 0) return null;
    return createReadStream(this.file, { start: 0, end: this.size - 1, highWaterMark: 256 * 1024 });
  }

  async dispose(): Promise<void> {
    const { handle, dir } = this;
    this.handle = null;
    this.dir = null;
    await handle?.close().catch(() => undefined);
    if (dir) await rm(dir, { recursive: true, force: true });
  }
}
