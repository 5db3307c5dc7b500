import { useQuery } from '@tanstack/react-query';
import { environments } from '../../api/issues';
import { FilterSelect } from '../../components/FilterSelect';

/**
 * The issue list's environment filter: the environments the API has seen in the project's events,
 * so nobody has to guess how one is spelled. An environment named in the URL that the project has
 * not (or no longer) seen stays offered, so a shared link keeps showing what it filters by.
 */
export function EnvironmentSelect(props: {
  organization: string;
  project: string | undefined;
  value: string;
  onChange: (environment: string) => void;
}) {
  const { organization, project, value, onChange } = props;
  const list = useQuery({
    queryKey: ['environments', organization, project],
    queryFn: () => environments(organization, project!),
    enabled: project !== undefined,
  });
  const names = list.data ?? [];
  const options = value && !names.includes(value) ? [value, ...names] : names;
  return (
    <FilterSelect
      label="Environment"
      all="All environments"
      value={value}
      names={options}
      onChange={onChange}
    />
  );
}
