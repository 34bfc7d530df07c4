import { loadConfig } from '../config.ts';
import { openRuntime } from '../runtime.ts';
import { verifyAuditChain } from '../services/verify-audit-chain.ts';

export async function auditVerifyCommand(opts: { json?: boolean }): Promise<void> {
  const rt = await openRuntime(loadConfig());
  try {
    const r = await verifyAuditChain(rt.system);
    if (opts.json === true) process.stdout.write(`${JSON.stringify(r)}\n`);
    else if (r.ok) process.stdout.write(`Audit chain intact: ${r.events} events, head ${r.lastHash ?? '(empty)'}.\n`);
    else process.stdout.write(`Audit chain BROKEN at event seq ${r.firstBreak?.seq} (id ${r.firstBreak?.id}, ${r.firstBreak?.reason}); ${r.events} events before it verify.\n`);
    if (!r.ok) process.exitCode = 4;
  } finally {
    await rt.close();
  }
}
