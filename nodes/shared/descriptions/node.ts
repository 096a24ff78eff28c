import type { INodeCredentialDescription, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { CREDENTIAL_TYPE } from '../constants';

/** What every Bird node declares the same way. */
export const birdCredential: INodeCredentialDescription[] = [{ name: CREDENTIAL_TYPE, required: true }];

export const birdIcon: INodeTypeDescription['icon'] = {
	light: 'file:../../icons/bird.svg',
	dark: 'file:../../icons/bird.dark.svg',
};

/** The start of every workspace-scoped path; the transport fills in the credential's workspace. */
export const WORKSPACE_PATH = '/workspaces/{workspaceId}';

/**
 * What the sending nodes declare alike: one input and one output, and the Bird credential.
 * `icon` and `usableAsTool` stay in each node's class, where n8n's package scanner looks for them.
 */
export const sendingNodeBase = {
	group: ['output'],
	version: 1,
	inputs: [NodeConnectionTypes.Main],
	outputs: [NodeConnectionTypes.Main],
	credentials: birdCredential,
} satisfies Partial<INodeTypeDescription>;
