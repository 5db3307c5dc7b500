/** What a package name makes of the new plugin's folder and id. */
export interface PluginNames {
  /** The npm package name, as given (`@acme/faultline-tagger`, `faultline-plugin-jira`). */
  packageName: string;
  /** The folder it is written to: the name without its scope. */
  folder: string;
  /** The plugin id of its manifest: lowercase letters, digits and dashes, starting with a letter. */
  id: string;
}

/** npm's rule for a package name, without the legacy exceptions. */
const PACKAGE_NAME = /^(@[a-z0-9][a-z0-9._-]*\/)?[a-z0-9][a-z0-9._-]*$/;

/** The names for `packageName`, or a sentence saying what is wrong with it. */
export function pluginNames(packageName: string): PluginNames | string {
  if (!PACKAGE_NAME.test(packageName) || packageName.length > 214)
    return `"${packageName}" is not an npm package name (lowercase letters, digits, - . _, optionally @scope/)`;
  const folder = packageName.replace(/^@[^/]+\//, '');
  // `faultline-plugin-jira` is the plugin `jira`: the prefix says what the package is, not the plugin.
  const id = folder
    .replace(/^faultline-plugin-/, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^[^a-z]+|-+$/g, '')
    .slice(0, 63);
  if (id.length === 0) return `"${packageName}" leaves no plugin id (it needs a letter)`;
  return { packageName, folder, id };
}
