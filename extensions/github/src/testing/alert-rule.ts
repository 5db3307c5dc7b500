/** The alert rule the tests create: every new issue of the project becomes a GitHub issue. */
export function newIssuesToGitHub() {
  return {
    name: 'New issues to GitHub',
    actionMatch: 'any' as const,
    conditions: [{ id: 'issue.created' as const }],
    filters: [],
    actions: [{ plugin: 'github', config: {} }],
    frequency: 5,
  };
}
