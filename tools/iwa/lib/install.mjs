// Installs an IWA in IWA dev mode from its dev server ("dev proxy") through
// chrome://iwa-dev's page handler, and returns its isolated-app:// origin.
// (--install-isolated-web-app-from-url does the same at startup, but only
// says so in Chromium's log, and gives no web bundle id.)

// A CDP error that says the page has no JavaScript context yet: it is still
// loading, or navigating.
export const notReady = (e) => /execution context/i.test(e.message);

export async function installFromDevProxy(cdp, proxyUrl, { timeoutMs = 20000 } = {}) {
  const { targetId } = await cdp.send('Target.createTarget', { url: 'chrome://iwa-dev' });
  try {
    const { sessionId } = await cdp.send('Target.attachToTarget', { targetId, flatten: true });
    const expression = `(async () => {
      const m = await import('chrome://iwa-dev/iwa_dev.mojom-webui.js');
      const handler = m.browserProxyFactory.getInstance().handler;
      const result = await handler.installAppFromDevProxy(${JSON.stringify(proxyUrl)});
      const { apps } = await handler.getInstalledAppsInfo();
      return JSON.stringify({ result, apps }, (k, v) => typeof v === 'bigint' ? String(v) : v);
    })()`;
    // The page's module loads asynchronously: retry until it is there.
    const deadline = Date.now() + timeoutMs;
    let lastError;
    while (Date.now() < deadline) {
      let answer;
      try {
        answer = await cdp.send('Runtime.evaluate',
          { expression, awaitPromise: true, returnByValue: true }, { sessionId, timeoutMs });
      } catch (e) {
        // The page is still loading (its context not made yet, or replaced).
        if (!notReady(e)) throw e;
        lastError = e.message;
        await new Promise((r) => setTimeout(r, 200));
        continue;
      }
      const { result, exceptionDetails } = answer;
      if (!exceptionDetails) {
        const { result: outcome, apps } = JSON.parse(result.value);
        const port = Number(new URL(proxyUrl).port);
        const app = apps.find((a) => a.source?.proxyOrigin?.port === port);
        if (!app) throw new Error(`installing from ${proxyUrl} failed: ${JSON.stringify(outcome)}`);
        return { origin: `isolated-app://${app.webBundleId}`, appId: app.appId, webBundleId: app.webBundleId };
      }
      lastError = exceptionDetails.exception?.description || exceptionDetails.text;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`chrome://iwa-dev did not install ${proxyUrl}: ${lastError}`);
  } finally {
    await cdp.send('Target.closeTarget', { targetId }).catch(() => {});
  }
}
