using k8s;
using k8s.Models;
using Xunit;

namespace Isthmus.Testing;

/// <summary>
/// The chart's cluster objects as <c>helm template</c> renders them (real helm), created through the API as an
/// administrator would with <c>helm install</c>: ServiceAccounts, Roles, ClusterRoles, their bindings, Services and
/// the ValidatingWebhookConfiguration. The workloads (Deployment, PodDisruptionBudget) are left out: in these tests
/// the components run in-process or as local processes, each under its ServiceAccount's token.
/// </summary>
public static class ChartInstall
{
    public const string Release = "isthmus";

    /// <summary>The release namespace the tests install into.</summary>
    public const string Namespace = "isthmus-system";

    /// <summary>The ServiceAccount of each component, as the chart names them for <see cref="Release"/>.</summary>
    public const string OperatorServiceAccount = Release + "-operator";
    public const string IkeServiceAccount = Release + "-ike";
    public const string DataplaneServiceAccount = Release + "-dataplane";

    /// <summary>Renders the chart with <paramref name="values"/> (<c>--set</c> pairs) and returns its objects.</summary>
    public static IReadOnlyList<object> Render(string @namespace, params string[] values)
    {
        var helm = ExternalTools.RequireHelm();
        var arguments = new List<string> { "template", Release, RepositoryPaths.Chart, "--namespace", @namespace, "--set", "dataplane.cipherNextHopMac=02:00:5e:00:01:01" };
        foreach (var v in values)
        {
            arguments.Add("--set");
            arguments.Add(v);
        }
        var (code, stdout, stderr) = ExternalTools.Run(helm, arguments);
        Assert.True(code == 0, $"helm template failed: {stderr}");
        return KubernetesYaml.LoadAllFromString(stdout);
    }

    /// <summary>
    /// Creates the CustomResourceDefinitions of <c>charts/isthmus/crds/</c> (what <c>helm install</c> does first, or
    /// <c>kubectl apply -f crds/</c>) and waits until the API server has established them.
    /// </summary>
    public static async Task InstallCrdsAsync(IKubernetes admin, CancellationToken cancellationToken)
    {
        var installed = 0;
        foreach (var file in Directory.EnumerateFiles(Path.Combine(RepositoryPaths.Chart, "crds"), "*.yaml").Order(StringComparer.Ordinal))
        {
            foreach (var crd in KubernetesYaml.LoadAllFromString(await File.ReadAllTextAsync(file, cancellationToken)).OfType<V1CustomResourceDefinition>())
            {
                installed++;
                await admin.ApiextensionsV1.CreateCustomResourceDefinitionAsync(crd, cancellationToken: cancellationToken);
                var established = await admin.ApiextensionsV1.ReadCustomResourceDefinitionAsync(crd.Metadata.Name, cancellationToken: cancellationToken);
                Assert.Contains(established.Status?.Conditions ?? [], c => c.Type == "Established" && c.Status == "True");
            }
        }
        Assert.True(installed == 2, $"expected the two CRDs of the chart, found {installed}");
    }

    /// <summary>Creates the chart's RBAC objects, Services and webhook configuration with <paramref name="admin"/>.</summary>
    public static async Task InstallAsync(IKubernetes admin, string @namespace, CancellationToken cancellationToken, params string[] values)
    {
        foreach (var obj in Render(@namespace, values))
        {
            switch (obj)
            {
                case V1ServiceAccount sa:
                    await admin.CoreV1.CreateNamespacedServiceAccountAsync(sa, @namespace, cancellationToken: cancellationToken);
                    break;
                case V1Service svc:
                    await admin.CoreV1.CreateNamespacedServiceAsync(svc, @namespace, cancellationToken: cancellationToken);
                    break;
                case V1ClusterRole role:
                    await admin.RbacAuthorizationV1.CreateClusterRoleAsync(role, cancellationToken: cancellationToken);
                    break;
                case V1ClusterRoleBinding binding:
                    await admin.RbacAuthorizationV1.CreateClusterRoleBindingAsync(binding, cancellationToken: cancellationToken);
                    break;
                case V1Role role:
                    await admin.RbacAuthorizationV1.CreateNamespacedRoleAsync(role, role.Metadata.NamespaceProperty ?? @namespace, cancellationToken: cancellationToken);
                    break;
                case V1RoleBinding binding:
                    await admin.RbacAuthorizationV1.CreateNamespacedRoleBindingAsync(binding, binding.Metadata.NamespaceProperty ?? @namespace, cancellationToken: cancellationToken);
                    break;
                case V1ValidatingWebhookConfiguration webhook:
                    await admin.AdmissionregistrationV1.CreateValidatingWebhookConfigurationAsync(webhook, cancellationToken: cancellationToken);
                    break;
            }
        }
    }
}
