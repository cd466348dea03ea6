// A database URL as messages show it (no password), without loading the PostgreSQL driver.

/** postgres://user:secret@host/db -> postgres://user@host/db (for messages). */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    u.password = '';
    return u.toString().replace(/^(postgres(?:ql)?:\/\/[^@/]*?):?@/, '$1@');
  } catch {
    return 'the given postgres:// URL';
  }
}
