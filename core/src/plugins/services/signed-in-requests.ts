import { randomBytes } from 'node:crypto';

/**
 * The plugin route requests being answered that carry a signed-in session, by an unguessable proof
 * handed to the plugin with the request. A plugin may record a link only for the person of a request
 * it is answering now (`linkedAccounts.linkSignedInUser`): the proof names them, and it stops naming
 * anyone when the host stops waiting for the answer. In memory: the route and the service call that
 * follows from its handler run in the same process.
 */
export class SignedInRequests {
  private readonly open = new Map<string, number>();

  /** A proof for the request of `userId`; `end` it when the request is answered. */
  begin(userId: number): string {
    const proof = randomBytes(24).toString('base64url');
    this.open.set(proof, userId);
    return proof;
  }

  end(proof: string): void {
    this.open.delete(proof);
  }

  /** The user of a request still being answered, or undefined. */
  userOf(proof: unknown): number | undefined {
    return typeof proof === 'string' ? this.open.get(proof) : undefined;
  }
}

/** One per process, shared by the plugin routes and the plugins' linked-accounts services. */
export const signedInRequests = new SignedInRequests();
