import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { Member } from '../../api/members';
import { addTeamMember, removeTeamMember, type Team } from '../../api/organization';
import { TeamPart } from './TeamPart';

const choice = (member: Member) => ({ value: member.id, label: member.email });

/**
 * A team's members, read from the organization's member list (each member names their teams);
 * adding and removing need `team:write`.
 */
export function TeamMembers(props: {
  organization: string;
  team: Team;
  members: Member[];
  canWrite: boolean;
}) {
  const { organization, team, members, canWrite } = props;
  const queryClient = useQueryClient();
  const refresh = () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: ['members', organization] }),
      queryClient.invalidateQueries({ queryKey: ['teams', organization] }),
    ]);
  const add = useMutation({
    mutationFn: (member: string) => addTeamMember(organization, member, team.slug),
    onSettled: refresh,
  });
  const remove = useMutation({
    mutationFn: (member: string) => removeTeamMember(organization, member, team.slug),
    onSettled: refresh,
  });
  const onTeam = (member: Member) => member.teams.includes(team.slug);
  return (
    <TeamPart
      team={team.slug}
      title="Members"
      noun="member"
      on={members.filter(onTeam).map(choice)}
      off={members.filter((member) => !onTeam(member)).map(choice)}
      canWrite={canWrite}
      pending={add.isPending || remove.isPending}
      error={add.error ?? remove.error}
      add={(member) => add.mutate(member)}
      remove={(member) => remove.mutate(member)}
    />
  );
}
