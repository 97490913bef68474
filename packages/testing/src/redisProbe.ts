// A one-shot, dependency-free Redis command over a raw socket. Used to poll servers while
// they start, where a full ioredis client would retry, reconnect and log in the background.
import { connect } from 'node:net';

function encodeCommand(args: readonly string[]): string {
  let out = `*${args.length}\r\n`;
  for (const arg of args) out += `$${Buffer.byteLength(arg)}\r\n${arg}\r\n`;
  return out;
}

/** Parses a simple-string, error or bulk-string reply; undefined while incomplete. */
function parseReply(buffer: Buffer): { ok: boolean; text: string } | undefined {
  const lineEnd = buffer.indexOf('\r\n');
  if (lineEnd < 0) return undefined;
  const type = String.fromCharCode(buffer[0] ?? 0);
  const header = buffer.subarray(1, lineEnd).toString();
  if (type === '+' || type === ':') return { ok: true, text: header };
  if (type === '-') return { ok: false, text: header };
  if (type === '$') {
    const length = Number(header);
    if (length < 0) return { ok: true, text: '' };
    const start = lineEnd + 2;
    if (buffer.length < start + length) return undefined;
    return { ok: true, text: buffer.subarray(start, start + length).toString() };
  }
  return { ok: false, text: `unsupported reply type ${JSON.stringify(type)}` };
}

/**
 * Sends one command and resolves with the reply text. Rejects on connection errors,
 * Redis error replies and after `timeoutMs`.
 */
export function probeRedis(
  host: string,
  port: number,
  args: readonly string[],
  timeoutMs = 1_000,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    let received = Buffer.alloc(0);
    const finish = (error: Error | undefined, text?: string) => {
      socket.destroy();
      if (error) reject(error);
      else resolve(text ?? '');
    };
    socket.setTimeout(timeoutMs, () =>
      finish(new Error(`${args.join(' ')} to ${host}:${port} timed out after ${timeoutMs} ms`)),
    );
    socket.once('error', (error) => finish(error));
    socket.once('connect', () => socket.write(encodeCommand(args)));
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const reply = parseReply(received);
      if (!reply) return;
      if (reply.ok) finish(undefined, reply.text);
      else finish(new Error(`${args.join(' ')} to ${host}:${port} failed: ${reply.text}`));
    });
    socket.once('end', () => finish(new Error(`${host}:${port} closed the connection`)));
  });
}
