import type {
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IHttpRequestOptions,
	Icon,
	INodeProperties,
} from 'n8n-workflow';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const PLATFORM_KEY_MESSAGE =
	'This is a key for Bird\'s newer platform API (it starts with "bk_"). These nodes use api.bird.com, which needs an access key from Bird\'s dashboard: Settings › Developer › Access keys.';

/**
 * An api.bird.com access key and the workspace it works in. Every request carries
 * `Authorization: AccessKey <key>`; the base URL can point at a proxy or a local sandbox.
 */
export class BirdChannelsApi implements ICredentialType {
	name = 'birdChannelsApi';

	displayName = 'Bird Channels API';

	icon: Icon = { light: 'file:../icons/bird.svg', dark: 'file:../icons/bird.dark.svg' };

	// This package's README section on the credential (it links on to Bird's own pages).
	documentationUrl = 'https://github.com/n8n-nodes-bird/n8n-nodes-bird#credentials';

	properties: INodeProperties[] = [
		{
			// Named apiKey (n8n's usual name for an API secret) so that tools that look for
			// secrets by name treat it as one; users see "Access Key", Bird's own term.
			displayName: 'Access Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description: "An access key from Bird's dashboard (Settings › Developer › Access keys)",
		},
		{
			displayName: PLATFORM_KEY_MESSAGE,
			name: 'platformKeyNotice',
			type: 'notice',
			default: '',
			displayOptions: { show: { apiKey: [{ _cnd: { startsWith: 'bk_' } }] } },
		},
		{
			displayName: 'Workspace ID',
			name: 'workspaceId',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'e.g. bf89833c-380c-488a-ae9d-64477b455d74',
			description: "The UUID in the address of your workspace in Bird's dashboard",
		},
		{
			displayName: 'Organization ID',
			name: 'organizationId',
			type: 'string',
			default: '',
			placeholder: 'e.g. 0e1b4c8a-2f3d-4a5b-9c6d-7e8f9a0b1c2d',
			description:
				"Needed only by Bird Trigger: Bird's webhook subscriptions live under the organization. Find it in Bird's dashboard: profile menu (bottom left) › Settings › Organization.",
		},
		{
			displayName: 'Access Key ID',
			name: 'accessKeyId',
			type: 'string',
			default: '',
			placeholder: 'e.g. a1b2c3d4-0000-4000-8000-00000000acce',
			description:
				"Optional; Bird: Reply uses it. The ID Bird shows next to the access key in Settings › Developer › Access keys (not the key itself). With it, Reply sends as this key in any conversation, joining the ones a customer started.",
		},
		{
			displayName: 'n8n Processes Sending at Once',
			name: 'processes',
			type: 'number',
			default: 1,
			description:
				"Bird's limits (500 sends and 50 lookups per second) hold for the whole workspace, and each n8n process paces itself, finding its share from Bird's 429s when several send at once. In queue mode you may enter how many processes send with this workspace at the same time (usually the number of workers): each then keeps to its share from the start, sparing the first collisions.",
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://api.bird.com',
			description: 'Change only to go through a proxy or to a local Bird sandbox',
		},
	];

	/** Adds the AccessKey header, after refusing credentials that cannot work with api.bird.com. */
	authenticate = async (
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> => {
		const accessKey = String(credentials.apiKey ?? '').trim();
		const workspaceId = String(credentials.workspaceId ?? '').trim();
		if (accessKey.startsWith('bk_')) throw new Error(PLATFORM_KEY_MESSAGE);
		if (!UUID.test(workspaceId)) {
			throw new Error(
				`The Workspace ID of the Bird credential must be a UUID like bf89833c-380c-488a-ae9d-64477b455d74, not "${workspaceId}".`,
			);
		}
		return {
			...requestOptions,
			headers: { ...requestOptions.headers, Authorization: `AccessKey ${accessKey}` },
		};
	};

	/**
	 * Lists one channel of the workspace. n8n's credential tester (2.x) drops the HTTP status of
	 * a failed test request, so `responseCode` rules never fire there; instead the answer is
	 * always taken (ignoreHttpStatusErrors) and an answer without a channel list is a failure
	 * explained in words the user can act on. Keys Bird cannot accept (bk_…) and workspace
	 * IDs that are not UUIDs are refused by `authenticate` before anything is sent.
	 */
	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{ ($credentials.baseUrl || "https://api.bird.com").replace(/\\/+$/, "") }}',
			url: '=/workspaces/{{ encodeURIComponent(String($credentials.workspaceId).trim()) }}/channels',
			qs: { limit: 1 },
			ignoreHttpStatusErrors: true,
			// An unreachable Base URL is reported within seconds.
			timeout: 10_000,
		},
		rules: [
			{
				type: 'responseSuccessBody',
				properties: {
					key: 'results',
					value: undefined,
					message:
						'Bird did not return the channels of this workspace. Check the Access Key (Bird › Settings › Developer › Access keys) and that the Workspace ID is the workspace the key belongs to.',
				},
			},
		],
	};
}
