/**
 * Every mailvet error, with a stable `code` (MV_ERR_*) and, where it can reach
 * a client, the HTTP status it maps to. Callers branch on `code`, never on
 * message text. Codes are never reused once retired.
 *
 * Verification outcomes are not errors: an invalid address or a dead mail
 * server is a result. Exceptions are for misuse and infrastructure faults.
 */
export class MailvetError extends Error {
  readonly code: string;
  readonly statusCode: number;
  constructor(code: string, message: string, statusCode = 500, options?: ErrorOptions) {
    super(message, options);
    this.name = 'MailvetError';
    this.code = code;
    this.statusCode = statusCode;
  }
}

/** A configuration value is missing or malformed. */
export class ConfigError extends MailvetError {
  constructor(message: string, options?: ErrorOptions) {
    super('MV_ERR_CONFIG', message, 500, options);
    this.name = 'ConfigError';
  }
}

/** An argument given by a caller (library, CLI or HTTP) is invalid. */
export class InvalidArgumentError extends MailvetError {
  constructor(message: string, options?: ErrorOptions) {
    super('MV_ERR_INVALID_ARGUMENT', message, 400, options);
    this.name = 'InvalidArgumentError';
  }
}

/** The component was closed and can no longer be used. */
export class ClosedError extends MailvetError {
  constructor(what: string) {
    super('MV_ERR_CLOSED', `${what} is closed`, 503);
    this.name = 'ClosedError';
  }
}

/**
 * The database could not be reached or used when the store was opened (server
 * down, wrong host or credentials). The message names the target without any
 * password; the CLI prints it as one line and exits 1.
 */
export class StoreUnavailableError extends MailvetError {
  constructor(message: string, options?: ErrorOptions) {
    super('MV_ERR_STORE_UNAVAILABLE', message, 503, options);
    this.name = 'StoreUnavailableError';
  }
}
