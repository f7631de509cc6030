/**
 * A real headless Chromium for browser tests, driven by playwright-core (which downloads no
 * browser of its own). The browser is Debian's `chromium`, installed by `scripts/setup-system.sh`;
 * where it is missing the tests are skipped with that reason instead of failing.
 */
import { existsSync, mkdirSync } from 'node:fs'
import path from 'node:path'
import { chromium, type Browser } from 'playwright-core'
import type { Test } from 'tap'
import { projectRoot } from '../../src/config.js'

export const CHROMIUM_PATH = '/usr/bin/chromium'

/** Switches that keep the browser headless, quiet and off the network except for what the page asks. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

/** The skip option for tap: false when Chromium is installed, else how to install it. */
export const skipUnlessChromium = (): false | string =>
  existsSync(CHROMIUM_PATH) ? false : `Chromium not found at ${CHROMIUM_PATH}: run scripts/setup-system.sh (installs Debian's chromium package)`

/** Launches the browser and closes it when `t` ends. */
export const launchChromium = async (t: Test): Promise<Browser> => {
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS })
  t.teardown(() => browser.close())
  return browser
}

/** Where screenshots of browser tests go: a git-ignored directory, for a human to look at after a run. */
export const artifactPath = (name: string): string => {
  const directory = path.join(projectRoot, 'test-artifacts')
  mkdirSync(directory, { recursive: true })
  return path.join(directory, name)
}
