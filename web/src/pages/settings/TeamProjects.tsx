import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { Project } from '../../api/faultline';
import { addTeamProject, removeTeamProject, teamProjects, type Team } from '../../api/organization';
import { TeamPart } from './TeamPart';

const choice = (project: Pick<Project, 'slug'>) => ({ value: project.slug, label: project.slug });

/** The projects a team opens to its members; giving and taking a project away need `project:write`. */
export function TeamProjects(props: {
  organization: string;
  team: Team;
  projects: Project[];
  canWrite: boolean;
}) {
  const { organization, team, projects, canWrite } = props;
  const queryClient = useQueryClient();
  const queryKey = ['team-projects', organization, team.slug];
  const list = useQuery({ queryKey, queryFn: () => teamProjects(organization, team.slug) });
  const refresh = () => queryClient.invalidateQueries({ queryKey });
  const add = useMutation({
    mutationFn: (project: string) => addTeamProject(organization, project, team.slug),
    onSettled: refresh,
  });
  const remove = useMutation({
    mutationFn: (project: string) => removeTeamProject(organization, project, team.slug),
    onSettled: refresh,
  });
  const held = list.data ?? [];
  return (
    <TeamPart
      team={team.slug}
      title="Projects"
      noun="project"
      on={list.data?.map(choice)}
      off={projects.filter((project) => !held.some((p) => p.id === project.id)).map(choice)}
      canWrite={canWrite}
      pending={add.isPending || remove.isPending}
      error={list.error ?? add.error ?? remove.error}
      add={(project) => add.mutate(project)}
      remove={(project) => remove.mutate(project)}
    />
  );
}
