/** Progress of long counted work on stderr: "<verb> 500000/10000000 <unit>" about every 5%, only when the work is large. */
export function countProgress(verb: string, unit: string, large: boolean, stream: NodeJS.WritableStream = process.stderr): (done: number, total: number) => void {
  let reported = 0;
  return (done, total) => {
    if (!large || done === reported) return;
    if (done - reported >= total / 20 || done === total) {
      reported = done;
      stream.write(`${verb} ${done}/${total} ${unit}\n`);
    }
  };
}
