/**
 * Progress of long counted work on stderr: "<verb> 500000/10000000 <unit>" about every 5%, and at
 * least every 10 seconds, only when the work is large.
 */
export function countProgress(verb: string, unit: string, large: boolean, stream: NodeJS.WritableStream = process.stderr, everyMs = 10_000): (done: number, total: number) => void {
  let reported = 0;
  let last = Date.now();
  return (done, total) => {
    if (!large || done === reported) return;
    const now = Date.now();
    if (done - reported >= total / 20 || done === total || now - last >= everyMs) {
      reported = done;
      last = now;
      stream.write(`${verb} ${done}/${total} ${unit}\n`);
    }
  };
}
