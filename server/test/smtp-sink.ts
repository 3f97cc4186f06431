import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer, type SMTPServerAddress } from 'smtp-server';

/** One message an SMTP sink accepted. */
export interface ReceivedMail {
  /** The user the client logged in as. */
  user: string | undefined;
  from: string | null;
  to: string[];
  raw: string;
  parsed: ParsedMail;
}

/** A local SMTP server standing in for the mail provider. */
export interface SmtpSink {
  host: string;
  port: number;
  user: string;
  password: string;
  messages: ReceivedMail[];
  /**
   * Answers to the next messages' DATA, in order (e.g. 451 or 550 with a text); after them, 250.
   * Rejected messages are not recorded in `messages`, only counted in `attempts`.
   */
  script: { code: number; message: string }[];
  /** Every DATA the sink received, accepted or not. */
  attempts: number;
  close(): Promise<void>;
}

export interface SmtpSinkOptions {
  /** Offer STARTTLS (with smtp-server's built-in self-signed certificate). Default: no. */
  starttls?: boolean;
  /** The certificate (PEM) STARTTLS presents instead of the built-in one; implies `starttls`. */
  certificate?: { key: string; cert: string };
  /** Implicit TLS from the first byte (port 465 style) with `certificate`, instead of STARTTLS. */
  implicitTls?: boolean;
}

/**
 * Starts smtp-server on a free port of 127.0.0.1 with authentication required (PLAIN/LOGIN over
 * the plain connection: a test needs no certificate) and records every accepted message, parsed.
 */
export async function startSmtpSink(options: SmtpSinkOptions = {}): Promise<SmtpSink> {
  const user = 'streamleads';
  const password = 'smtp-password-for-tests';
  const sink: SmtpSink = {
    host: '127.0.0.1',
    port: 0,
    user,
    password,
    messages: [],
    script: [],
    attempts: 0,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  const server = new SMTPServer({
    logger: false,
    authOptional: false,
    allowInsecureAuth: true,
    disabledCommands: options.starttls || options.certificate ? [] : ['STARTTLS'],
    ...(options.certificate
      ? { key: options.certificate.key, cert: options.certificate.cert }
      : {}),
    secure: options.implicitTls ?? false,
    onAuth(auth, _session, callback) {
      if (auth.username === user && auth.password === password) {
        callback(null, { user });
      } else {
        callback(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
      }
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        sink.attempts += 1;
        const answer = sink.script.shift();
        if (answer) {
          callback(Object.assign(new Error(answer.message), { responseCode: answer.code }));
          return;
        }
        const raw = Buffer.concat(chunks).toString('utf8');
        const address = (value: SMTPServerAddress | false) => (value ? value.address : null);
        simpleParser(raw).then(
          (parsed) => {
            sink.messages.push({
              user: session.user as string | undefined,
              from: address(session.envelope.mailFrom),
              to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
              raw,
              parsed,
            });
            callback();
          },
          (error: Error) => callback(error),
        );
      });
    },
  });
  // A client that refuses the certificate hangs up mid-handshake; smtp-server reports that as an
  // 'error' event, which would otherwise be unhandled. The client's side is what tests check.
  server.on('error', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  sink.port = (server.server.address() as AddressInfo).port;
  return sink;
}
