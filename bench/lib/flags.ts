/**
 * Benchmark settings from `--flag=value` / `--flag value` arguments, then an environment variable,
 * then npm config: `npm run bench:x -- --duration=5` reaches the script as npm_config_duration, not
 * as an argument.
 */
export class BenchFlags {
  private readonly flags = new Map<string, string>();

  constructor(argv: string[]) {
    for (let i = 0; i < argv.length; i++) {
      const m = /^--([a-z-]+)(?:=(.*))?$/.exec(argv[i]);
      if (!m) throw new Error(`unexpected argument ${argv[i]}`);
      if (m[2] !== undefined) this.flags.set(m[1], m[2]);
      else if (argv[i + 1] !== undefined && !argv[i + 1].startsWith('--')) this.flags.set(m[1], argv[++i]);
      else this.flags.set(m[1], '1');
    }
  }

  /** The raw value, or undefined when none of the three places sets it. */
  text(flag: string, env: string): string | undefined {
    return this.flags.get(flag) ?? process.env[env] ?? process.env[`npm_config_${flag.replaceAll('-', '_')}`];
  }

  num(flag: string, env: string, fallback: number, min: number, max: number): number {
    const raw = this.text(flag, env);
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isFinite(value) || value < min || value > max)
      throw new Error(`--${flag} / ${env} must be a number between ${min} and ${max} (got ${raw})`);
    return value;
  }

  bool(flag: string, env: string): boolean {
    const raw = this.text(flag, env);
    return raw !== undefined && raw !== '' && raw !== '0' && raw !== 'false';
  }
}
