// Watches the DAP traffic of trapdbg sessions: module events refresh the Trap Sites view, a stop
// on a trap (reason "exception") fills the Trap Origins view, running again empties it.
import * as vscode from 'vscode';
import { readTrapOriginsBody, readTrapSitesBody, type TrapOriginsArguments, type TrapSitesArguments } from '../protocol/trapRequests';
import type { TrapOriginsView } from '../views/trapOriginsView';
import type { TrapSitesView } from '../views/trapSitesView';

interface DapEvent {
  type: 'event';
  event: string;
  body?: Record<string, unknown>;
}

function isEvent(message: unknown): message is DapEvent {
  const m = message as { type?: unknown; event?: unknown } | null;
  return typeof m === 'object' && m !== null && m.type === 'event' && typeof m.event === 'string';
}

/** Keeps the trap views in step with the trapdbg debug sessions. */
export class TrapSessionWatcher implements vscode.DebugAdapterTrackerFactory, vscode.Disposable {
  private readonly refreshTimers = new Map<string, NodeJS.Timeout>();
  private readonly subscriptions: vscode.Disposable[] = [];
  /** Bumped per origins request so a late answer for an old stop cannot overwrite a newer one. */
  private originsGeneration = 0;
  /** The same for trap-site requests, which overlap when modules load in bursts. */
  private sitesGeneration = 0;

  constructor(
    private readonly sites: TrapSitesView,
    private readonly origins: TrapOriginsView,
    private readonly log: vscode.OutputChannel,
  ) {
    this.subscriptions.push(
      vscode.debug.onDidStartDebugSession((session) => {
        if (session.type !== 'trapdbg') return;
        this.origins.clear();
        this.sites.showMessage(`${session.name}: reading trap sites…`);
        this.scheduleSitesRefresh(session, {}, 0);
      }),
      vscode.debug.onDidTerminateDebugSession((session) => {
        if (session.type !== 'trapdbg') return;
        const timer = this.refreshTimers.get(session.id);
        if (timer) clearTimeout(timer);
        this.refreshTimers.delete(session.id);
        this.originsGeneration++;
      }),
      vscode.debug.onDidReceiveDebugSessionCustomEvent((e) => {
        // An adapter may announce new trap sites with a custom event as well.
        if (e.session.type === 'trapdbg' && e.event === 'trapSitesChanged') this.scheduleSitesRefresh(e.session, {});
      }),
    );
  }

  createDebugAdapterTracker(session: vscode.DebugSession): vscode.DebugAdapterTracker {
    return {
      onDidSendMessage: (message: unknown) => {
        if (isEvent(message)) this.onEvent(session, message);
      },
    };
  }

  private onEvent(session: vscode.DebugSession, event: DapEvent): void {
    switch (event.event) {
      case 'initialized':
      case 'module':
        this.scheduleSitesRefresh(session, {});
        break;
      case 'stopped': {
        const threadId = event.body?.['threadId'];
        if (event.body?.['reason'] === 'exception') void this.refreshOrigins(session, typeof threadId === 'number' ? { threadId } : {});
        else this.origins.clear();
        break;
      }
      case 'continued':
      case 'exited':
        this.originsGeneration++;
        this.origins.clear();
        break;
    }
  }

  /** Asks for the sites again after a quiet period, since modules arrive in bursts. */
  scheduleSitesRefresh(session: vscode.DebugSession, args: TrapSitesArguments, delayMs = 250): void {
    const pending = this.refreshTimers.get(session.id);
    if (pending) clearTimeout(pending);
    this.refreshTimers.set(
      session.id,
      setTimeout(() => {
        this.refreshTimers.delete(session.id);
        void this.refreshSites(session, args, false);
      }, delayMs),
    );
  }

  /** Asks the session for its trap sites and shows them; errors show in the view only when asked for explicitly or nothing is shown yet. */
  async refreshSites(session: vscode.DebugSession, args: TrapSitesArguments, explicit: boolean): Promise<void> {
    const generation = ++this.sitesGeneration;
    try {
      const body: unknown = await session.customRequest('trapSites', args);
      if (generation === this.sitesGeneration) this.sites.show(readTrapSitesBody(body), session.name);
    } catch (e) {
      const text = `${session.name}: trap sites unavailable: ${(e as Error).message}`;
      this.log.appendLine(text);
      if (generation === this.sitesGeneration && (explicit || !this.sites.hasSites)) this.sites.showMessage(text);
    }
  }

  private async refreshOrigins(session: vscode.DebugSession, args: TrapOriginsArguments): Promise<void> {
    const generation = ++this.originsGeneration;
    this.origins.showMessage('Finding the check that fired…');
    try {
      const body: unknown = await session.customRequest('trapOrigins', args);
      if (generation === this.originsGeneration) this.origins.show(readTrapOriginsBody(body));
    } catch (e) {
      const text = `Trap origins unavailable: ${(e as Error).message}`;
      this.log.appendLine(text);
      if (generation === this.originsGeneration) this.origins.showMessage(text);
    }
  }

  dispose(): void {
    for (const timer of this.refreshTimers.values()) clearTimeout(timer);
    this.refreshTimers.clear();
    for (const s of this.subscriptions) s.dispose();
  }
}
