import type { WebClient } from '@slack/web-api';
import type { SlackUser } from './faultline';

/** Tells only the person who acted (an ephemeral message in the card's channel). */
export async function tell(client: WebClient, channel: string, who: SlackUser, text: string): Promise<void> {
  await client.chat.postEphemeral({ channel, user: who.user, text });
}
