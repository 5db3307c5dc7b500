import assert from 'node:assert/strict';
import { isPostgresReachable } from '../core/src/testing/databases';
import { waitFor, type ApiIssue } from './support/api';
import { runCli } from './support/cli';
import { envelopeUrl, eventEnvelope, parseTestDsn } from './support/envelopes';
import { httpRequest } from './support/http';
import { SessionCaller, TokenCaller, type ApiAnswer } from './support/session';
import { startStack, type Stack } from './support/stack';

interface ApiKey {
  dsn: { public: string };
}
interface ApiMember {
  id: string;
  email: string;
  user: { id: string };
  teams: string[];
}
interface ApiProject {
  id: string;
  slug: string;
}
interface ApiAuditEntry {
  actor: { id: string; email: string } | null;
  actorTokenId: string | null;
  event: string;
  targetType: string;
  targetObject: number | string;
  surface: string | null;
  data: Record<string, unknown>;
}

const MEMBER_EMAIL = 'm@example.com';
const MEMBER_PASSWORD = 'correct horse battery staple 42';
const SECRET_TEAM = 'vault';
const SECRET_PROJECT = 'secret-project';
/** A word only the secret issue's title contains. */
const SECRET_WORD = 'zanzibarquux';

/** The answer with `what` (the slug or id asked for, as a whole word) replaced, to compare two 404s. */
function normalized(answer: ApiAnswer, what: string): { status: number; body: unknown } {
  const word = new RegExp(`(?<![\\w-])${what.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\w-])`, 'g');
  return { status: answer.status, body: JSON.parse(answer.text.replace(word, '<ref>')) as unknown };
}

/**
 * Team-based project visibility end to end, on a real `faultline start` over Postgres: a member who
 * signs in over HTTP sees only the projects of their teams, and everything else answers exactly
 * like something that doesn't exist, until an owner puts them on the other team. Session writes
 * need the CSRF token, and an issue change is audited with the member as its actor.
 */
describe('team-based access control for a signed-in member [postgres]', function () {
  this.timeout(60_000);
  let stack: Stack | undefined;
  let owner: TokenCaller;
  let member: SessionCaller;
  let org = '';
  let visibleProject = '';
  let visibleIssue: ApiIssue;
  let secretIssue: ApiIssue;
  let secretProjectId = '';
  let memberId = '';

  /** Sends one event into a project through the ingest endpoint with the project's own DSN key. */
  async function ingest(project: string, message: string): Promise<void> {
    const [key] = await owner.get<ApiKey[]>(`/projects/${org}/${project}/keys/`);
    assert.ok(key, `project ${project} has a DSN key`);
    const dsn = parseTestDsn(key.dsn.public);
    const event = eventEnvelope({ message, fingerprint: [message] });
    const res = await httpRequest(envelopeUrl(stack!.baseUrl, dsn.projectId, dsn.publicKey), {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-sentry-envelope' },
      body: event.body,
    });
    assert.equal(res.status, 200, `ingest into ${project}: ${res.text()}`);
  }

  /** The owner's view of a project's single issue, once ingestion made it. */
  function issueOf(project: string): Promise<ApiIssue> {
    return waitFor(`an issue in ${project}`, async () => {
      const issues = await owner.get<ApiIssue[]>(`/projects/${org}/${project}/issues/?query=`);
      return issues[0];
    });
  }

  before(async function () {
    if (!(await isPostgresReachable())) this.skip();
    stack = await startStack('postgres');
    org = stack.setup.organization;
    visibleProject = stack.setup.project;
    owner = new TokenCaller(stack.baseUrl, stack.setup.token);

    await owner.expect(201, 'POST', `/organizations/${org}/teams/`, {
      body: { slug: SECRET_TEAM, name: 'Vault' },
    });
    const created = await owner.expect<ApiProject>(201, 'POST', `/teams/${org}/${SECRET_TEAM}/projects/`, {
      body: { name: 'Secret project', slug: SECRET_PROJECT, platform: 'node' },
    });
    secretProjectId = created.id;
    // Sentry gives a new project a default key; make sure there is one either way.
    const keys = await owner.get<ApiKey[]>(`/projects/${org}/${SECRET_PROJECT}/keys/`);
    if (keys.length === 0)
      await owner.expect(201, 'POST', `/projects/${org}/${SECRET_PROJECT}/keys/`, {
        body: { name: 'Default' },
      });

    await ingest(visibleProject, 'Visible checkout failure');
    await ingest(SECRET_PROJECT, `Secret vault breach ${SECRET_WORD}`);

    const cli = await runCli(
      [
        'createuser',
        '--email',
        MEMBER_EMAIL,
        '--password-stdin',
        '--org',
        org,
        '--role',
        'member',
        ...stack.target.cliArgs,
      ],
      { input: `${MEMBER_PASSWORD}\n` },
    );
    assert.equal(cli.code, 0, `createuser: ${cli.stderr}${cli.stdout}`);
    assert.doesNotMatch(
      cli.stdout + cli.stderr,
      new RegExp(MEMBER_PASSWORD),
      'the password is never printed',
    );

    const members = await owner.get<ApiMember[]>(`/organizations/${org}/members/`);
    const row = members.find((m) => m.email === MEMBER_EMAIL);
    assert.ok(row, `the new member is listed: ${JSON.stringify(members)}`);
    memberId = row.id;
    await owner.expect(201, 'POST', `/organizations/${org}/members/${memberId}/teams/${stack.setup.team}/`, {
      body: {},
    });

    [visibleIssue, secretIssue] = await Promise.all([issueOf(visibleProject), issueOf(SECRET_PROJECT)]);
    member = await SessionCaller.signIn(stack.baseUrl, MEMBER_EMAIL, MEMBER_PASSWORD);
  });

  after(async () => {
    await stack?.dispose();
  });

  it('signs the member in with a session cookie and a CSRF token', async () => {
    assert.equal(member.csrfCookie, member.csrfToken, 'the CSRF cookie carries the same token');
    const me = await member.get<{ email: string }>('/users/me/');
    assert.equal(me.email, MEMBER_EMAIL);
  });

  it("lists the visible project's issues and projects, and nothing of the other team", async () => {
    const issues = await member.get<ApiIssue[]>(`/projects/${org}/${visibleProject}/issues/?query=`);
    assert.deepEqual(
      issues.map((i) => i.id),
      [visibleIssue.id],
    );
    const projects = await member.get<ApiProject[]>(`/organizations/${org}/projects/`);
    assert.deepEqual(
      projects.map((p) => p.slug),
      [visibleProject],
    );
  });

  it("answers the secret project's issue list exactly like a missing project's", async () => {
    const secret = await member.request('GET', `/projects/${org}/${SECRET_PROJECT}/issues/?query=`);
    const missing = await member.request('GET', `/projects/${org}/no-such-project/issues/?query=`);
    assert.equal(secret.status, 404, secret.text);
    assert.deepEqual(normalized(secret, SECRET_PROJECT), normalized(missing, 'no-such-project'));
    const project = await member.request('GET', `/projects/${org}/${SECRET_PROJECT}/`);
    assert.equal(project.status, 404, project.text);
  });

  it('answers a secret issue, by id and by short id, exactly like a missing one', async () => {
    const missingId = String(Number(secretIssue.id) + 100_000);
    const byId = await member.request('GET', `/issues/${secretIssue.id}/`);
    const missing = await member.request('GET', `/issues/${missingId}/`);
    assert.equal(byId.status, 404, byId.text);
    assert.deepEqual(normalized(byId, secretIssue.id), normalized(missing, missingId));

    assert.match(secretIssue.shortId, /^SECRET-PROJECT-\d+$/);
    const missingShort = `${visibleIssue.shortId.replace(/-\d+$/, '')}-99999`;
    const byShortId = await member.request('GET', `/issues/${secretIssue.shortId}/`);
    const missingByShortId = await member.request('GET', `/issues/${missingShort}/`);
    assert.equal(byShortId.status, 404, byShortId.text);
    assert.deepEqual(normalized(byShortId, secretIssue.shortId), normalized(missingByShortId, missingShort));

    const resolve = await member.request('GET', `/organizations/${org}/shortids/${secretIssue.shortId}/`);
    const missingResolve = await member.request('GET', `/organizations/${org}/shortids/${missingShort}/`);
    assert.equal(resolve.status, 404, resolve.text);
    assert.deepEqual(normalized(resolve, secretIssue.shortId), normalized(missingResolve, missingShort));

    // Through the organization's issue path as well.
    const orgPath = await member.request('GET', `/organizations/${org}/issues/${secretIssue.id}/`);
    assert.equal(orgPath.status, 404, orgPath.text);
  });

  it("keeps the secret project out of the organization's issue search", async () => {
    const all = await member.get<ApiIssue[]>(`/organizations/${org}/issues/?query=`);
    assert.deepEqual(
      all.map((i) => i.id),
      [visibleIssue.id],
    );
    // The free-text search finds the secret issue for the owner, and nothing for the member.
    const search = `/organizations/${org}/issues/?query=${SECRET_WORD}`;
    assert.deepEqual(
      (await owner.get<ApiIssue[]>(search)).map((i) => i.id),
      [secretIssue.id],
    );
    assert.deepEqual(await member.get<ApiIssue[]>(search), []);
    // Asking for the secret project by id changes nothing.
    const byProject = await member.get<ApiIssue[]>(
      `/organizations/${org}/issues/?query=&project=${secretProjectId}`,
    );
    assert.deepEqual(byProject, []);
  });

  it('refuses a session write without the CSRF header, and audits the one with it', async () => {
    const refused = await member.request('PUT', `/issues/${visibleIssue.id}/`, {
      body: { status: 'resolved' },
      csrf: false,
    });
    assert.equal(refused.status, 403, refused.text);
    assert.match(refused.text, /csrf_failed/);
    assert.match(refused.text, /X-CSRF-Token/i);
    const unchanged = await member.get<ApiIssue>(`/issues/${visibleIssue.id}/`);
    assert.equal(unchanged.status, 'unresolved', 'the refused write changed nothing');

    const updated = await member.expect<ApiIssue>(200, 'PUT', `/issues/${visibleIssue.id}/`, {
      body: { status: 'resolved' },
    });
    assert.equal(updated.status, 'resolved');

    const log = await owner.get<{ rows: ApiAuditEntry[] }>(
      `/organizations/${org}/audit-logs/?event=issue.update`,
    );
    assert.equal(log.rows.length, 1, JSON.stringify(log.rows));
    const [entry] = log.rows;
    assert.equal(entry.event, 'issue.update');
    assert.equal(String(entry.targetObject), visibleIssue.id);
    assert.equal(entry.actor?.email, MEMBER_EMAIL);
    assert.equal(entry.actorTokenId, null, 'a session acts with no token');
    // A signed-in browser is the web UI's client, whatever the request says.
    assert.equal(entry.data.surface, 'web');
    assert.equal(entry.surface, 'web');
    assert.equal(entry.data.status, 'resolved');
    assert.equal(entry.data.shortId, visibleIssue.shortId);
  });

  it("shows the secret project's issues once the owner adds the member to its team", async () => {
    await owner.expect(201, 'POST', `/organizations/${org}/members/${memberId}/teams/${SECRET_TEAM}/`, {
      body: {},
    });
    const issues = await member.get<ApiIssue[]>(`/projects/${org}/${SECRET_PROJECT}/issues/?query=`);
    assert.deepEqual(
      issues.map((i) => i.id),
      [secretIssue.id],
    );
    const detail = await member.get<ApiIssue>(`/issues/${secretIssue.shortId}/`);
    assert.equal(detail.id, secretIssue.id);
    const search = await member.get<ApiIssue[]>(`/organizations/${org}/issues/?query=${SECRET_WORD}`);
    assert.deepEqual(
      search.map((i) => i.id),
      [secretIssue.id],
    );
    const all = await member.get<ApiIssue[]>(`/organizations/${org}/issues/?query=`);
    assert.deepEqual(all.map((i) => i.id).sort(), [visibleIssue.id, secretIssue.id].sort());
  });
});
