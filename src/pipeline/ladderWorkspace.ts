/** A ladder workspace in memory (browser, tests): files in a Map, a MemoryRunStore per rung. */
import { MemoryRunStore } from "../train/runStore.js";
import type { LadderWorkspace } from "./ladder.js";

export interface MemoryLadderWorkspace extends LadderWorkspace {
  /** Output files by name (ladder.json, report.md, ladder-grid.svg). */
  readonly files: Map<string, string | Uint8Array>;
  /** Each rung's run store and small files, by rung name. */
  readonly stores: Map<string, MemoryRunStore>;
  readonly rungFiles: Map<string, string>;
}

export function memoryLadderWorkspace(): MemoryLadderWorkspace {
  const files = new Map<string, string | Uint8Array>();
  const stores = new Map<string, MemoryRunStore>();
  const rungFiles = new Map<string, string>();
  return {
    location: "memory",
    files,
    stores,
    rungFiles,
    sink: {
      location: "memory",
      write: async (name, data) => {
        files.set(name, data);
      },
    },
    store(rung) {
      let s = stores.get(rung);
      if (!s) stores.set(rung, (s = new MemoryRunStore()));
      return s;
    },
    readRungFile: async (rung, file) => rungFiles.get(`${rung}/${file}`) ?? null,
    writeRungFile: async (rung, file, text) => {
      rungFiles.set(`${rung}/${file}`, text);
    },
  };
}
