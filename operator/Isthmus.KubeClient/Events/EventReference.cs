namespace Isthmus.KubeClient.Events;

/// <summary>The object an Event is about (events.k8s.io/v1 <c>regarding</c>).</summary>
public sealed record EventReference(string ApiVersion, string Kind, string Namespace, string Name, string? Uid);

/// <summary>Event type: Normal for expected transitions, Warning for something a user should look at.</summary>
public enum EventType
{
    Normal,
    Warning,
}
