import type { INodeCredentialDescription, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { CREDENTIAL_TYPE } from '../constants';
import { sendThroughBird } from '../transport/routing';

/** What every Bird node declares the same way. */
export const birdCredential: INodeCredentialDescription[] = [{ name: CREDENTIAL_TYPE, required: true }];

/** No baseURL here: the transport takes it from the credential (an expression would cost an evaluation per item). */
export const birdRequestDefaults: INodeTypeDescription['requestDefaults'] = {
	headers: { Accept: 'application/json', 'Content-Type': 'application/json' },
};

export const birdIcon: INodeTypeDescription['icon'] = {
	light: 'file:../../icons/bird.svg',
	dark: 'file:../../icons/bird.dark.svg',
};

/** The start of every workspace-scoped path; the transport fills in the credential's workspace. */
export const WORKSPACE_PATH = '/workspaces/{workspaceId}';

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
