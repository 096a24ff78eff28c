import type { INodeCredentialDescription, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { CREDENTIAL_TYPE } from '../constants';
import { sendThroughBird } from '../transport/routing';

/** What every Bird node declares the same way. */
export const birdCredential: INodeCredentialDescription[] = [{ name: CREDENTIAL_TYPE, required: true }];

export const birdRequestDefaults: INodeTypeDescription['requestDefaults'] = {
	baseURL: '={{ ($credentials.baseUrl || "https://api.bird.com").replace(/\\/+$/, "") }}',
	headers: { Accept: 'application/json', 'Content-Type': 'application/json' },
};

export const birdIcon: INodeTypeDescription['icon'] = {
	light: 'file:../../icons/bird.svg',
	dark: 'file:../../icons/bird.dark.svg',
};

/** The start of every workspace-scoped path, as a routing expression. */
export const WORKSPACE_PATH = '=/workspaces/{{ encodeURIComponent(String($credentials.workspaceId).trim()) }}';

/**
 * What the declarative sending nodes declare alike: one input and one output, the Bird
 * credential, and every request handed to the paced, retrying transport (see
 * transport/routing.ts). `icon` and `usableAsTool` stay in each node's class, where n8n's
 * package scanner looks for them.
 */
export const sendingNodeBase = {
	group: ['output'],
	version: 1,
	inputs: [NodeConnectionTypes.Main],
	outputs: [NodeConnectionTypes.Main],
	credentials: birdCredential,
	requestDefaults: birdRequestDefaults,
	requestOperations: { pagination: sendThroughBird },
} satisfies Partial<INodeTypeDescription>;
