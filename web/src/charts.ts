/**
 * lightweight-charts, loaded on demand (the pages without a chart never download it). The chart's
 * axis draws UTC, so every time is shifted by the user's zone offset before it is plotted and the
 * axis reads in the zone Settings stores.
 */
import type * as LightweightCharts from 'lightweight-charts';
import type { IChartApi, UTCTimestamp } from 'lightweight-charts';
import { zoneOffsetMs } from './format.ts';

export type Charts = typeof LightweightCharts;
let loading: Promise<Charts> | null = null;

export function charts(): Promise<Charts> {
  return (loading ??= import('lightweight-charts'));
}

/** Epoch ms → the chart's time, shifted into the user's zone. */
export function chartTime(ms: number): UTCTimestamp {
  return Math.floor((ms + zoneOffsetMs(ms)) / 1000) as UTCTimestamp;
}

export async function makeChart(
  container: HTMLElement,
  height = 360,
): Promise<{ lib: Charts; chart: IChartApi }> {
  const lib = await charts();
  const dark = matchMedia('(prefers-color-scheme: dark)').matches;
  const chart = lib.createChart(container, {
    height,
    autoSize: true,
    layout: {
      background: { color: 'transparent' },
      textColor: dark ? '#d8dde3' : '#1f2933',
      // The attribution TradingView's licence asks for is the footer's link (a logo link inside the
      // chart would be a focusable element in a picture).
      attributionLogo: false,
    },
    grid: {
      vertLines: { color: dark ? '#2b3440' : '#e4e7eb' },
      horzLines: { color: dark ? '#2b3440' : '#e4e7eb' },
    },
    timeScale: { timeVisible: true, secondsVisible: false },
    localization: { locale: 'en-GB' },
  });
  return { lib, chart };
}
