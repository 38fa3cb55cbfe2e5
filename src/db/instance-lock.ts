import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import { AppError } from '../shared/errors.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes the single-instance lock of a data directory (atomic create of a pid file). A lock left by
 * a process that no longer runs is taken over; a live holder makes this fail at once.
 * @throws AppError ALREADY_RUNNING naming the holder's pid.
 */
export function acquireInstanceLock(dataDir: string): { release(): void } {
  mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, 'shuangsui.pid');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return {
        release: () => {
          try {
            if (readFileSync(file, 'utf8').trim() === String(process.pid)) rmSync(file);
          } catch {
            // already gone
          }
        },
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const holder = Number(readFileSync(file, 'utf8').trim());
      if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && alive(holder)) {
        throw new AppError(
          'ALREADY_RUNNING',
          `Shuangsui is already running on ${dataDir} (pid ${holder}). Stop it first, or use another DATA_DIR or DATABASE_URL.`,
        );
      }
      rmSync(file, { force: true });
    }
  }
  throw new AppError('ALREADY_RUNNING', `could not take the lock ${file}`);
}
