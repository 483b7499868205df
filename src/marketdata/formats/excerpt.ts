/**
 * How input text appears in a message: quoted, escaped, and never longer than 80 characters, so a
 * binary file or a runaway line shows a readable start instead of pages of escapes.
 */
export const EXCERPT_LIMIT = 80;

/** `text` as a JSON string literal of at most `max` characters (an ellipsis marks a cut). */
export function excerpt(text: string, max = EXCERPT_LIMIT): string {
  const whole = JSON.stringify(text);
  if (whole.length <= max) return whole;
  let out = '"';
  for (const ch of text) {
    const escaped = JSON.stringify(ch).slice(1, -1);
    // Room for the ellipsis and the closing quote.
    if (out.length + escaped.length + 2 > max) break;
    out += escaped;
  }
  return `${out}…"`;
}

/**
 * A library's message with every quoted piece of input in it cut to an excerpt (csv-parse quotes the
 * whole offending field, which for a binary file can be a very long line).
 */
export function shortenQuoted(message: string, max = EXCERPT_LIMIT): string {
  return message.replace(/"((?:[^"\\]|\\.)*)"/g, (whole) => {
    if (whole.length <= max) return whole;
    let inner: string;
    try {
      inner = JSON.parse(whole) as string;
    } catch {
      inner = whole.slice(1, -1);
    }
    return excerpt(inner, max);
  });
}
