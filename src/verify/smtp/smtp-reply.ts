/** One complete (possibly multi-line) SMTP reply. */
export interface SmtpReply {
  /** Three-digit reply code (RFC 5321 §4.2). */
  code: number;
  /** RFC 3463 enhanced status code (`5.1.1`) when the server gave one. */
  enhancedCode: string | null;
  /** Text of every line, without code, separator or enhanced code. */
  lines: string[];
  /** `lines` joined with a space: what results and logs show. */
  message: string;
}
