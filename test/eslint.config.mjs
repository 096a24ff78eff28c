// Tests are never published and never run inside n8n: they use Node's own modules and globals
// freely. They get TypeScript's recommended rules, not n8n's rules for shipped code (the root
// eslint.config.mjs, n8n's default). ESLint picks this file for test/ with the
// unstable_config_lookup_from_file flag that `npm run lint` sets (ESLint 10's default).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config({
	files: ['**/*.ts'],
	extends: [js.configs.recommended, tseslint.configs.recommended],
	languageOptions: { parserOptions: { tsconfigRootDir: import.meta.dirname } },
	rules: { 'prefer-spread': 'off' },
});
