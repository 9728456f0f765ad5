// The application's Prometheus registry and the gauges read at scrape time. The metrics
// feature (metrics.ts) serves it at GET /metrics; other features add their gauges to it.

import type pino from 'pino';
import client from 'prom-client';

export interface Metrics {
  registry: client.Registry;
  httpDuration: client.Histogram<'method' | 'route' | 'status_class'>;
}

/** One value of a gauge read at scrape time. */
export interface GaugeValue {
  labels?: Record<string, string>;
  value: number;
}

export interface ScrapeGauge {
  name: string;
  help: string;
  labelNames?: string[];
  /** Called at each scrape; a throw leaves the gauge empty for that scrape (logged as a code only). */
  collect(): Promise<GaugeValue[]> | GaugeValue[];
}

/**
 * One registry per application, made by the composition root: tests run several applications
 * in one process, and prom-client's global registry refuses a metric name twice.
 */
export function createMetrics(): Metrics {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry });
  return {
    registry,
    httpDuration: new client.Histogram({
      name: 'http_request_duration_seconds',
      help: 'Durée des requêtes HTTP, par méthode, modèle de route et classe de statut',
      labelNames: ['method', 'route', 'status_class'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
  };
}

/**
 * The hook for other features (e.g. the directory import status): a gauge whose values are
 * read at each scrape. Call it from a feature's routes() or start(); the name must be unique.
 */
export function registerScrapeGauge(
  ctx: { metrics: Metrics; logger: pino.Logger },
  gauge: ScrapeGauge,
): void {
  const { registry } = ctx.metrics;
  new client.Gauge({
    name: gauge.name,
    help: gauge.help,
    labelNames: gauge.labelNames ?? [],
    registers: [registry],
    async collect() {
      this.reset();
      let values: GaugeValue[];
      try {
        values = await gauge.collect();
      } catch (err) {
        ctx.logger.warn(
          { metric: gauge.name, err: { code: (err as { code?: string }).code } },
          'métrique illisible',
        );
        return;
      }
      for (const v of values) {
        if (v.labels) this.set(v.labels, v.value);
        else this.set(v.value);
      }
    },
  });
}
