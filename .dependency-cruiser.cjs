/** The layer rule of DESIGN.md: arrows point inward. http/cli/jobs -> services -> domain + store. */
module.exports = {
  forbidden: [
    { name: 'domain-is-pure', severity: 'error', comment: 'domain imports nothing of ours but domain, and no I/O or framework modules',
      from: { path: '^src/domain' }, to: { pathNot: ['^src/domain', '^node:crypto$', '^crypto$'], dependencyTypesNot: ['type-only'] } },
    { name: 'domain-no-io', severity: 'error', from: { path: '^src/domain' }, to: { path: '(^|/)node_modules/' } },
    { name: 'store-not-upward', severity: 'error', comment: 'store knows domain only',
      from: { path: '^src/store' }, to: { path: '^src/(services|http|cli|jobs|auth|delivery|connectors)' } },
    { name: 'services-not-upward', severity: 'error', comment: 'services never import the edges that call them',
      from: { path: '^src/services' }, to: { path: '^src/(http|cli|jobs)' } },
    { name: 'edges-not-store', severity: 'error', comment: 'http, cli and jobs call services, never the store directly',
      from: { path: '^src/(http|cli|jobs)' }, to: { path: '^src/store' }, },
    { name: 'contract-is-leaf', severity: 'error', comment: 'contract is shared with web and cli: schemas only',
      from: { path: '^src/contract' }, to: { path: '^src/(?!contract)' } },
    { name: 'cli-via-contract', severity: 'error', comment: 'user-facing CLI commands know the server only through contract + HTTP',
      from: { path: '^src/cli/client' }, to: { path: '^src/(services|store|domain|http)' } },
    { name: 'web-via-contract', severity: 'error', comment: 'the portal knows the server only through HTTP and the contract types',
      from: { path: '^web/' }, to: { path: '^src/(?!contract/)' } },
    { name: 'web-types-only', severity: 'error', comment: 'web imports contract types only (no server code in the bundle)',
      from: { path: '^web/' }, to: { path: '^src/', dependencyTypesNot: ['type-only'] } },
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true, dependencyTypesNot: ['type-only'] } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
