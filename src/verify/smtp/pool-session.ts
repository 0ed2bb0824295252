import type { SmtpReply } from './smtp-reply.js';
import type { SessionTimeouts } from './session-timeouts.js';
import type { SocketFactory } from './socket-factory.js';

/** What the pool passes to open one session. */
export interface SessionOpenOptions {
  host: string;
  port: number;
  servername?: string;
  heloName: string;
  connect: SocketFactory;
  timeouts?: Partial<SessionTimeouts>;
  starttls?: boolean;
}

/**
 * The slice of `SmtpSession` the pool relies on. Declared here so the pool
 * depends on behaviour, not on the session class, and benchmarks can wrap it.
 */
export interface PooledSmtpSession {
  readonly capabilities: { pipelining: boolean; smtputf8: boolean; rcptMax: number | null };
  readonly tls: boolean;
  readonly closed: boolean;
  transaction(
    mailFrom: string,
    recipients: string[],
    options?: { smtputf8?: boolean },
  ): Promise<{ mail: SmtpReply; recipients: SmtpReply[] }>;
  reset(): Promise<SmtpReply>;
  quit(): Promise<void>;
  destroy(): void;
}

export type SessionOpener = (options: SessionOpenOptions) => Promise<PooledSmtpSession>;
