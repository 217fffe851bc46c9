using System.Net;
using System.Text.Json.Nodes;
using Isthmus.KubeApiDouble;
using Isthmus.Testing;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Isthmus.Operator.IntegrationTests.KubeApiDouble;

/// <summary>
/// The double's RBAC, through the real KubernetesClient: requests are authorized as kube-apiserver's RBAC
/// authorizer does, against Roles and bindings created through the API, and refused with its words.
/// </summary>
public sealed class RbacTests : IAsyncLifetime
{
    private const string Ns = ChartInstall.Namespace;
    private KubeApiServer _api = null!;
    private Kubernetes _admin = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _api = await KubeApiServer.StartAsync(new KubeApiServerOptions { Rbac = true }, Ct);
        _admin = Client(_api.IssueToken(UserInfo.Admin));
        await _admin.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = Ns } }, cancellationToken: Ct);
        await _admin.CustomObjects.CreateNamespacedCustomObjectAsync(DoubleHarness.Tunnel("hq"), DoubleHarness.Group, DoubleHarness.Version, "default", DoubleHarness.Tunnels, cancellationToken: Ct);
    }

    public async ValueTask DisposeAsync()
    {
        _admin.Dispose();
        await _api.DisposeAsync();
    }

    private Kubernetes Client(string token) => new(new KubernetesClientConfiguration { Host = _api.BaseUri.ToString().TrimEnd('/'), AccessToken = token });

    private Kubernetes ServiceAccount(string name) => Client(_api.IssueToken(UserInfo.ServiceAccount(Ns, name)));

    private async Task ApplyAsync(string yaml)
    {
        foreach (var obj in KubernetesYaml.LoadAllFromString(yaml))
        {
            switch (obj)
            {
                case V1ServiceAccount sa:
                    await _admin.CoreV1.CreateNamespacedServiceAccountAsync(sa, Ns, cancellationToken: Ct);
                    break;
                case V1ClusterRole role:
                    await _admin.RbacAuthorizationV1.CreateClusterRoleAsync(role, cancellationToken: Ct);
                    break;
                case V1ClusterRoleBinding binding:
                    await _admin.RbacAuthorizationV1.CreateClusterRoleBindingAsync(binding, cancellationToken: Ct);
                    break;
                case V1Role role:
                    await _admin.RbacAuthorizationV1.CreateNamespacedRoleAsync(role, role.Metadata.NamespaceProperty, cancellationToken: Ct);
                    break;
                case V1RoleBinding binding:
                    await _admin.RbacAuthorizationV1.CreateNamespacedRoleBindingAsync(binding, binding.Metadata.NamespaceProperty, cancellationToken: Ct);
                    break;
            }
        }
    }

    private static string Message(HttpOperationException e) => JsonNode.Parse(e.Response.Content)!["message"]!.GetValue<string>();

    private static V1Patch FinalizerPatch() => new(
        new JsonObject { ["metadata"] = new JsonObject { ["finalizers"] = new JsonArray("ipsec.isthmus.dev/node-config") } }.ToJsonString(),
        V1Patch.PatchType.MergePatch);

    [Fact]
    public async Task The_operator_role_of_the_a4f843b_chart_cannot_add_its_finalizer_as_on_a_real_cluster()
    {
        await ApplyAsync(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "KubeApiDouble", "Fixtures", "chart-a4f843b-operator-rbac.yaml")));
        using var operatorClient = ServiceAccount(ChartInstall.OperatorServiceAccount);

        var e = await Assert.ThrowsAsync<HttpOperationException>(() => operatorClient.CustomObjects.PatchNamespacedCustomObjectAsync(
            FinalizerPatch(), DoubleHarness.Group, DoubleHarness.Version, "default", DoubleHarness.Tunnels, "hq", cancellationToken: Ct));

        Assert.Equal(HttpStatusCode.Forbidden, e.Response.StatusCode);
        Assert.Contains(
            "ipsectunnels.ipsec.isthmus.dev \"hq\" is forbidden: User \"system:serviceaccount:isthmus-system:isthmus-operator\" cannot patch resource \"ipsectunnels\" in API group \"ipsec.isthmus.dev\" in the namespace \"default\"",
            Message(e));
        // What that role does grant still works: reading tunnels and writing their status.
        await operatorClient.CustomObjects.ListClusterCustomObjectAsync(DoubleHarness.Group, DoubleHarness.Version, DoubleHarness.Tunnels, cancellationToken: Ct);
    }

    [Fact]
    public async Task The_current_chart_lets_the_operator_add_its_finalizer_and_nothing_lets_the_dataplane_do_anything()
    {
        await ChartInstall.InstallAsync(_admin, Ns, Ct, "webhook.enabled=false");
        using var operatorClient = ServiceAccount(ChartInstall.OperatorServiceAccount);
        using var dataplane = ServiceAccount(ChartInstall.DataplaneServiceAccount);

        await operatorClient.CustomObjects.PatchNamespacedCustomObjectAsync(
            FinalizerPatch(), DoubleHarness.Group, DoubleHarness.Version, "default", DoubleHarness.Tunnels, "hq", cancellationToken: Ct);

        foreach (var call in new Func<Task>[]
        {
            () => dataplane.CoreV1.ListNodeAsync(cancellationToken: Ct),
            () => dataplane.CoreV1.ListNamespacedSecretAsync(Ns, cancellationToken: Ct),
            () => dataplane.CustomObjects.ListClusterCustomObjectAsync(DoubleHarness.Group, DoubleHarness.Version, DoubleHarness.Tunnels, cancellationToken: Ct),
            () => dataplane.CoreV1.ListNamespacedPodAsync(Ns, cancellationToken: Ct),
        })
        {
            var e = await Assert.ThrowsAsync<HttpOperationException>(call);
            Assert.Equal(HttpStatusCode.Forbidden, e.Response.StatusCode);
        }
    }

    [Fact]
    public async Task A_status_grant_does_not_cover_the_main_resource_nor_a_role_another_namespace()
    {
        await ApplyAsync($$"""
            apiVersion: rbac.authorization.k8s.io/v1
            kind: Role
            metadata: { name: status-writer, namespace: default }
            rules:
              - apiGroups: ["ipsec.isthmus.dev"]
                resources: ["ipsectunnels/status"]
                verbs: ["get", "patch"]
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: RoleBinding
            metadata: { name: status-writer, namespace: default }
            roleRef: { apiGroup: rbac.authorization.k8s.io, kind: Role, name: status-writer }
            subjects:
              - { kind: ServiceAccount, name: writer, namespace: {{Ns}} }
            """);
        using var writer = ServiceAccount("writer");

        await writer.CustomObjects.PatchNamespacedCustomObjectStatusAsync(
            new V1Patch("{\"status\":{\"rekeyCount\":1}}", V1Patch.PatchType.MergePatch), DoubleHarness.Group, DoubleHarness.Version, "default", DoubleHarness.Tunnels, "hq", cancellationToken: Ct);
        var main = await Assert.ThrowsAsync<HttpOperationException>(() => writer.CustomObjects.PatchNamespacedCustomObjectAsync(
            FinalizerPatch(), DoubleHarness.Group, DoubleHarness.Version, "default", DoubleHarness.Tunnels, "hq", cancellationToken: Ct));
        var elsewhere = await Assert.ThrowsAsync<HttpOperationException>(() => writer.CustomObjects.ListNamespacedCustomObjectAsync(
            DoubleHarness.Group, DoubleHarness.Version, Ns, DoubleHarness.Tunnels, cancellationToken: Ct));

        Assert.Equal(HttpStatusCode.Forbidden, main.Response.StatusCode);
        Assert.Contains("cannot list resource \"ipsectunnels\" in API group \"ipsec.isthmus.dev\" in the namespace \"isthmus-system\"", Message(elsewhere));
    }

    [Fact]
    public async Task A_rule_limited_by_resource_names_covers_those_objects_only_and_never_a_list()
    {
        await ApplyAsync($$"""
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata: { name: one-webhook }
            rules:
              - apiGroups: ["admissionregistration.k8s.io"]
                resources: ["validatingwebhookconfigurations"]
                resourceNames: ["isthmus"]
                verbs: ["get", "update"]
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRoleBinding
            metadata: { name: one-webhook }
            roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: one-webhook }
            subjects:
              - { kind: Group, name: "system:serviceaccounts:{{Ns}}" }
            """);
        foreach (var name in new[] { "isthmus", "someone-else" })
        {
            await _admin.AdmissionregistrationV1.CreateValidatingWebhookConfigurationAsync(new V1ValidatingWebhookConfiguration { Metadata = new V1ObjectMeta { Name = name } }, cancellationToken: Ct);
        }
        using var member = ServiceAccount("any-account-of-the-namespace");

        await member.AdmissionregistrationV1.ReadValidatingWebhookConfigurationAsync("isthmus", cancellationToken: Ct);
        var other = await Assert.ThrowsAsync<HttpOperationException>(() => member.AdmissionregistrationV1.ReadValidatingWebhookConfigurationAsync("someone-else", cancellationToken: Ct));
        var list = await Assert.ThrowsAsync<HttpOperationException>(() => member.AdmissionregistrationV1.ListValidatingWebhookConfigurationAsync(cancellationToken: Ct));

        Assert.Equal(HttpStatusCode.Forbidden, other.Response.StatusCode);
        Assert.Contains("at the cluster scope", Message(list));
    }

    [Fact]
    public async Task A_token_the_server_never_issued_is_unauthorized_and_no_token_is_anonymous()
    {
        using var forged = Client("0123456789abcdef");
        using var anonymous = new Kubernetes(new KubernetesClientConfiguration { Host = _api.BaseUri.ToString().TrimEnd('/') });

        var e401 = await Assert.ThrowsAsync<HttpOperationException>(() => forged.CoreV1.ListNodeAsync(cancellationToken: Ct));
        var e403 = await Assert.ThrowsAsync<HttpOperationException>(() => anonymous.CoreV1.ListNodeAsync(cancellationToken: Ct));

        Assert.Equal(HttpStatusCode.Unauthorized, e401.Response.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, e403.Response.StatusCode);
        Assert.Contains("""User "system:anonymous" cannot list resource "nodes" in API group "" at the cluster scope""", Message(e403));
    }
}
