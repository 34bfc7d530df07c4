import { Link } from '../../router.tsx';
import { NotificationsNav } from './common.tsx';
import { DeliveriesPage } from './DeliveriesPage.tsx';
import { MailboxPage } from './MailboxPage.tsx';
import { PreferencesPage } from './PreferencesPage.tsx';
import { WebhooksPage } from './WebhooksPage.tsx';

/** The paths these pages answer (App.tsx routes them here). */
export const isNotificationsPath = (path: string): boolean =>
  path === '/settings/notifications' || path === '/admin/notifications' || path.startsWith('/admin/notifications/');

function Overview({ path }: { path: string }) {
  return (
    <main id="main">
      <NotificationsNav path={path} />
      <h1>Notifications</h1>
      <ul className="notif-cards">
        <li className="card"><h2><Link to="/admin/notifications/deliveries">Deliveries</Link></h2><p>Every mail and webhook call: pending, sent, failed (retry them) and kept.</p></li>
        <li className="card"><h2><Link to="/admin/notifications/mailbox">Mailbox</Link></h2><p>Mails kept while no SMTP server is configured: read what would be sent.</p></li>
        <li className="card"><h2><Link to="/admin/notifications/webhooks">Webhooks</Link></h2><p>Send PIM events to your SIEM, chat or tooling.</p></li>
      </ul>
    </main>
  );
}

/** Administration › Notifications (deliveries, mailbox, webhooks) and the user's own settings. */
export function NotificationsRoutes({ path }: { path: string }) {
  const p = path.replace(/\/+$/, '');
  if (p === '/settings/notifications') return <PreferencesPage />;
  if (p === '/admin/notifications') return <Overview path={p} />;
  if (p === '/admin/notifications/deliveries') return <DeliveriesPage path={p} />;
  if (p === '/admin/notifications/mailbox') return <MailboxPage path={p} />;
  if (p === '/admin/notifications/webhooks') return <WebhooksPage path={p} />;
  return (
    <main id="main">
      <NotificationsNav path={p} />
      <h1>Page not found</h1>
      <p>There is no page at {path}. <Link to="/admin/notifications">Go to Notifications</Link>.</p>
    </main>
  );
}
