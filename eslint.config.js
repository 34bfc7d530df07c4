// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// Only the Clock reads the time: everything else receives `now` (STYLE.md practice 1).
const noClockReads = [
  { selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']", message: 'Read the time through the Clock (src/clock.ts), never Date.now().' },
  { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'Read the time through the Clock (src/clock.ts), never new Date().' },
  { selector: "CallExpression[callee.object.name='performance'][callee.property.name='now']", message: 'Read the time through the Clock (src/clock.ts).' },
];

export default tseslint.config(
  { ignores: ['.dependency-cruiser.cjs', 'node_modules/**', 'data/**', 'dist/**', 'coverage/**', '.ci/**', 'bin/**', 'web/dist/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      'no-restricted-syntax': ['error', ...noClockReads],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  { files: ['src/clock.ts'], rules: { 'no-restricted-syntax': 'off' } },
  // The portal runs in the browser, whose clock is the only one it has; it reads it only to
  // choose which buttons to offer (the API decides) and to default form fields.
  { files: ['web/**'], rules: { 'no-restricted-syntax': 'off' } },
  // Benchmarks measure elapsed time; that is what they are for.
  { files: ['bench/**'], rules: { 'no-restricted-syntax': 'off' } },
  {
    files: ['test/**'],
    rules: {
      '@typescript-eslint/no-floating-promises': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      // Tests read JSON response bodies, which are untyped by nature; asserting on them is the point.
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
    },
  },
  { files: ['eslint.config.js'], ...tseslint.configs.disableTypeChecked },
);
