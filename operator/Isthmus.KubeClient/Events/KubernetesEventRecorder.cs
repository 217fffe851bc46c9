using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Isthmus.KubeClient.Events;

/// <summary>
/// Writes events.k8s.io/v1 Events. The first occurrence creates an Event; a repeat within the
/// deduplication window patches that Event's <c>series</c> (count and lastObservedTime) instead.
/// </summary>
public sealed class KubernetesEventRecorder : IEventRecorder
{
    private readonly IKubernetes _client;
    private readonly ILogger _logger;
    private readonly EventDeduplicator _dedup;
    private readonly TimeProvider _time;

    public KubernetesEventRecorder(IKubernetes client, string reportingController, string reportingInstance, ILogger logger, TimeProvider? time = null)
    {
        _client = client;
        ReportingController = reportingController;
        ReportingInstance = reportingInstance;
        _logger = logger;
        _time = time ?? TimeProvider.System;
        _dedup = new EventDeduplicator(_time);
    }

    public string ReportingController { get; }

    public string ReportingInstance { get; }

    public async Task RecordAsync(EventReference regarding, EventType type, string reason, string action, string note, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow().UtcDateTime;
        try
        {
            var repeat = _dedup.Repeat(regarding, type, reason, action, note);
            if (repeat is not null)
            {
                var patch = new JsonObject
                {
                    ["series"] = new JsonObject
                    {
                        ["count"] = repeat.Count,
                        ["lastObservedTime"] = now.ToString("yyyy-MM-ddTHH:mm:ss.ffffffZ", System.Globalization.CultureInfo.InvariantCulture),
                    },
                };
                try
                {
                    await _client.EventsV1.PatchNamespacedEventAsync(new V1Patch(patch.ToJsonString(JsonSerializerOptions.Default), V1Patch.PatchType.MergePatch), repeat.EventName, repeat.Namespace, cancellationToken: cancellationToken).ConfigureAwait(false);
                    return;
                }
                catch (k8s.Autorest.HttpOperationException e) when (e.Response?.StatusCode == System.Net.HttpStatusCode.NotFound)
                {
                    _dedup.Forget(regarding, type, reason, action, note);
                }
            }

            var name = $"{regarding.Name}.{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))}";
            var ev = new Eventsv1Event
            {
                Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = regarding.Namespace },
                EventTime = now,
                ReportingController = ReportingController,
                ReportingInstance = ReportingInstance,
                Action = action,
                Reason = reason,
                Type = type.ToString(),
                Note = note.Length > 1024 ? note[..1021] + "..." : note,
                Regarding = new V1ObjectReference
                {
                    ApiVersion = regarding.ApiVersion,
                    Kind = regarding.Kind,
                    NamespaceProperty = regarding.Namespace,
                    Name = regarding.Name,
                    Uid = regarding.Uid,
                },
            };
            await _client.EventsV1.CreateNamespacedEventAsync(ev, regarding.Namespace, cancellationToken: cancellationToken).ConfigureAwait(false);
            _dedup.Created(regarding, type, reason, action, note, name);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            _logger.LogWarning("Could not record event {Reason} on {Kind} {Namespace}/{Name}: {Message}", reason, regarding.Kind, regarding.Namespace, regarding.Name, e.Message);
        }
    }
}
