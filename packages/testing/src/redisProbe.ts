// A one-shot, dependency-free Redis command over a raw socket. Used to poll servers while
// they start, where a full ioredis client would retry, reconnect and log in the background.
import { connect } from 'node:net';
import { connect as connectTls } from 'node:tls';

/** How to reach a server that has TLS (only) and the default user off. */
export interface ProbeConnection {
  /** PEM of the CA that signed the server certificate: the probe speaks TLS. */
  tlsCa?: string;
  /** Sent as AUTH before the command. */
  auth?: { username: string; password: string };
}

function encodeCommand(args: readonly string[]): string {
  let out = `*${args.length}\r\n`;
  for (const arg of args) out += `$${Buffer.byteLength(arg)}\r\n${arg}\r\n`;
  return out;
}

/** Parses a simple-string, error or bulk-string reply; undefined while incomplete. */
function parseReply(buffer: Buffer): { ok: boolean; text: string; length: number } | undefined {
  const lineEnd = buffer.indexOf('\r\n');
  if (lineEnd < 0) return undefined;
  const type = String.fromCharCode(buffer[0] ?? 0);
  const header = buffer.subarray(1, lineEnd).toString();
  const lineLength = lineEnd + 2;
  if (type === '+' || type === ':') return { ok: true, text: header, length: lineLength };
  if (type === '-') return { ok: false, text: header, length: lineLength };
  if (type === '$') {
    const length = Number(header);
    if (length < 0) return { ok: true, text: '', length: lineLength };
    if (buffer.length < lineLength + length + 2) return undefined;
    const text = buffer.subarray(lineLength, lineLength + length).toString();
    return { ok: true, text, length: lineLength + length + 2 };
  }
  return { ok: false, text: `unsupported reply type ${JSON.stringify(type)}`, length: 0 };
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
  connection: ProbeConnection = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    const { tlsCa, auth } = connection;
    const socket =
      tlsCa === undefined ? connect({ host, port }) : connectTls({ host, port, ca: tlsCa });
    // AUTH's reply comes first and must be +OK; the command's reply is the one we want.
    let repliesToSkip = auth ? 1 : 0;
    const request = encodeCommand(args);
    const payload = auth
      ? encodeCommand(['AUTH', auth.username, auth.password]) + request
      : request;
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
    socket.once(tlsCa === undefined ? 'connect' : 'secureConnect', () => socket.write(payload));
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      let reply = parseReply(received);
      while (reply?.ok && repliesToSkip > 0) {
        repliesToSkip--;
        received = received.subarray(reply.length);
        reply = parseReply(received);
      }
      if (!reply) return;
      if (reply.ok) finish(undefined, reply.text);
      else finish(new Error(`${args.join(' ')} to ${host}:${port} failed: ${reply.text}`));
    });
    socket.once('end', () => finish(new Error(`${host}:${port} closed the connection`)));
  });
}
