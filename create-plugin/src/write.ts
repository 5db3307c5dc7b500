import fs from 'node:fs';
import path from 'node:path';
import { pluginNames, type PluginNames } from './names';
import { pluginFiles, type DependencySpecs } from './templates';

/**
 * Writes the plugin `packageName` into a new folder under `parent`. Returns the names used, or a
 * sentence saying why nothing was written (a bad name, a folder that exists and is not empty).
 */
export function writePlugin(
  parent: string,
  packageName: string,
  specs: DependencySpecs,
): PluginNames | string {
  const names = pluginNames(packageName);
  if (typeof names === 'string') return names;
  const folder = path.join(parent, names.folder);
  if (fs.existsSync(folder) && fs.readdirSync(folder).length > 0)
    return `${folder} already exists and is not empty; choose another name or folder`;
  for (const [file, text] of Object.entries(pluginFiles(names, specs))) {
    const target = path.join(folder, file);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, text);
  }
  return names;
}
