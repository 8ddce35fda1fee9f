export { RunReportCollector, type ReportSources } from './collector.js';
export type { ReportData, ReportMeta } from './report-data.js';
export { groupJoints, renderReport, type PlotLibrary } from './render.js';
export { defaultReportPath, loadPlotLibrary, writeRunReport } from './write.js';
export { EventLog, Histogram, Trace } from './trace.js';
