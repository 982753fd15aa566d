/**
 * The password policy (issue 11): 8 to 200 characters, not the username (nor containing it),
 * not one of the passwords every guesser tries first, and never the demo passwords in
 * production. Returns the Chinese reason, or null.
 */
export const DEMO_PASSWORDS = ['Demo@2026', 'Admin@2026'];

/** The passwords tried first (common lists, and those common in Chinese systems), compared in lower case. */
const COMMON = new Set(
  [
    '12345678', '123456789', '1234567890', '11111111', '00000000', '88888888', '66666666', '87654321', '12341234', '11223344',
    'password', 'password1', 'password123', 'passw0rd', 'p@ssw0rd', 'p@ssword', 'qwerty123', 'qwertyuiop', 'qwer1234', '1qaz2wsx',
    '1q2w3e4r', 'zaq12wsx', 'abc12345', 'abcd1234', 'a1234567', 'a12345678', 'aa123456', 'abc123456', 'admin123', 'admin1234',
    'admin@123', 'admin888', 'administrator', 'root1234', 'iloveyou', 'woaini1314', 'woaini520', '5201314520', 'welcome1', 'letmein1',
    'changeme', 'sunshine', 'football', 'baseball', 'superman', 'trustno1', 'test1234', 'test@123', 'guest123', 'default1',
  ].map((p) => p.toLowerCase()),
);

export function passwordProblem(password: string, username: string, opts: { production?: boolean } = {}): string | null {
  if (typeof password !== 'string' || password.length < 8) return '密码至少 8 位';
  if (password.length > 200) return '密码不能超过 200 位';
  const lower = password.toLowerCase();
  const name = (username ?? '').toLowerCase();
  if (name.length >= 3 && lower.includes(name)) return '密码不能包含用户名';
  if (COMMON.has(lower)) return '密码过于常见，请换一个不易猜到的密码';
  if (new Set(password).size < 4) return '密码过于简单（重复字符过多）';
  if (opts.production && DEMO_PASSWORDS.includes(password)) return '生产环境不能使用演示密码';
  return null;
}
